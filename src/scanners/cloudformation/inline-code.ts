import { passesServiceName } from "../../core/service-argument.js";

/** Python that makes a boto3 Batch client: the test for inline Lambda code worth handing to the Python scanner. */
export const embedsBatchPython = (text: string): boolean =>
  text.includes("boto3") && passesServiceName(text, "batch", { keywords: ["client", "session", "service"] });
