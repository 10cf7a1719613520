import awsEc2 from "./aws-ec2.js";
import awsEc2Spot from "./aws-ec2-spot.js";
import awsEc2SpotPrice from "./aws-ec2-spot-price.js";
import awsFargate from "./aws-fargate.js";
import commonCompute from "./common-compute.js";
import salad from "./salad.js";

/** Every pricing source, one line each. */
export const PRICING_SOURCES = {
  "aws-ec2": awsEc2,
  "aws-ec2-spot": awsEc2Spot,
  "aws-ec2-spot-price": awsEc2SpotPrice,
  "aws-fargate": awsFargate,
  "common-compute": commonCompute,
  salad,
} as const;

export type PricingSourceId = keyof typeof PRICING_SOURCES;
