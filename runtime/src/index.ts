export * from "./clients/common-compute.js";
export * from "./clients/salad.js";
export {
  HttpClient,
  HttpError,
  ConnectionError,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type HttpClientOptions,
} from "./clients/http.js";
export {
  startExecutor,
  parseExecutorConfig,
  type ExecutorOptions,
  type RunningExecutor,
  type ExecutorConfig,
} from "./executor/index.js";
