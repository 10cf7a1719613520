import type { Transform } from "../src/apply/transform.js";
import awsSdkToNative from "./aws-sdk-to-native.js";
import awsSdkToShim from "./aws-sdk-to-shim.js";
import boto3ToNative from "./boto3-to-native.js";
import boto3ToShim from "./boto3-to-shim.js";

/** Every transform, one line each, sorted by id. */
export const TRANSFORMS: readonly Transform[] = [awsSdkToNative, awsSdkToShim, boto3ToNative, boto3ToShim];
