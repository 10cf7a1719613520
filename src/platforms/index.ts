import commonCompute from "./common-compute.js";
import salad from "./salad.js";
import type { Platform, TargetId } from "./types.js";

/** Every target platform, one line each. */
export const PLATFORMS: Record<TargetId, Platform> = {
  "common-compute": commonCompute,
  salad,
};
