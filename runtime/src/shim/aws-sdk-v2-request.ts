// aws-sdk v2's request and response objects, as far as the shim can honestly give them: a request is lazy (nothing
// is sent until promise() or send()), answers `success` / `error` / `complete` listeners, can be aborted before it
// settles, and resolves promise() with data carrying a non-enumerable `$response` as v2 does. The shim makes no HTTP
// request to AWS, so HTTP and signing events never fire, `httpRequest` is the request v2 would have built, and
// streams are refused.

/** aws-sdk v2's AWSError: an Error whose `name` is its `code`. */
export interface AWSError extends Error {
  code: string;
  statusCode?: number;
  retryable: boolean;
  time: Date;
  requestId?: string;
  /** MultipleValidationErrors: one error per problem. */
  errors?: AWSError[];
}

export function awsError(
  code: string,
  message: string,
  extra: { statusCode?: number; retryable?: boolean; requestId?: string } = {},
): AWSError {
  const error = new Error(message) as AWSError;
  error.name = code;
  error.code = code;
  error.retryable = extra.retryable ?? false;
  error.time = new Date();
  if (extra.statusCode !== undefined) error.statusCode = extra.statusCode;
  if (extra.requestId !== undefined) error.requestId = extra.requestId;
  return error;
}

// Typed as aws-sdk v2 types them, so v2 code keeps type-checking: the error is null on success, the data null after
// the last page (and a page callback may return nothing).
export type Callback<T> = (error: AWSError, data: T) => void;
export type PageCallback<T> = (error: AWSError, data: T, done?: () => void) => boolean;
/** How the shim calls them. */
export type LooseCallback = (error: AWSError | null, data: unknown, done?: () => void) => boolean | void;

export interface V2Endpoint {
  host: string;
  hostname: string;
  href: string;
  port: number;
  protocol: string;
}

export interface V2HttpRequest {
  method: string;
  path: string;
  search: string;
  headers: { [header: string]: string };
  body: string;
  endpoint: V2Endpoint;
  pathname(): string;
}

export interface V2HttpResponse {
  statusCode: number;
  statusMessage: string;
  headers: { [header: string]: string };
  body: string;
  streaming: boolean;
  createUnbufferedStream(): never;
}

export interface V2Response<T> {
  data: T | undefined;
  error: AWSError | undefined;
  /** The shim's answers carry no AWS request id. */
  requestId: string;
  redirectCount: number;
  retryCount: number;
  httpResponse: V2HttpResponse;
  hasNextPage(): boolean;
  nextPage(callback?: Callback<T>): BatchRequest<T> | null;
}

/** What v2 methods return when called without a callback: nothing is sent until promise() or send(). */
export interface BatchRequest<T> {
  promise(): Promise<T & { $response: V2Response<T> }>;
  send(callback?: Callback<T>): void;
  /** For ListJobs and the describe operations: calls back once per page, then once with `data === null`. Return false to stop. */
  eachPage(callback: PageCallback<T>): void;
  isPageable(): boolean;
  /** Before it settles: the request rejects with RequestAbortedError. */
  abort(): this;
  createReadStream(): never;
  /** `success`, `error` and `complete` fire; the HTTP and signing events never do (the shim sends no HTTP request to AWS). */
  // oxlint-disable-next-line no-explicit-any
  on(event: string, listener: (...args: any[]) => void, prepend?: boolean): this;
  // oxlint-disable-next-line no-explicit-any
  onAsync(event: string, listener: (...args: any[]) => void, prepend?: boolean): this;
  startTime: Date;
  httpRequest: V2HttpRequest;
}

export interface RequestParts<T> {
  operation: string;
  input: unknown;
  endpoint: V2Endpoint;
  target: string;
  pageable: boolean;
  run(): Promise<T>;
  eachPage(callback: PageCallback<T>): void;
  /** The request for the page after `data`, or null on the last page. */
  next(data: T): BatchRequest<T> | null;
}

export function v2Request<T>(parts: RequestParts<T>): BatchRequest<T> {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  let aborted = false;
  const abortedError = () => awsError("RequestAbortedError", "Request aborted by user");
  const settle = async (): Promise<T> => {
    if (aborted) throw abortedError();
    const data = await parts.run();
    if (aborted) throw abortedError();
    return data;
  };
  const respond = (data: T | undefined, error: AWSError | undefined): V2Response<T> => {
    const response: V2Response<T> = {
      data,
      error,
      requestId: "",
      redirectCount: 0,
      retryCount: 0,
      httpResponse: {
        statusCode: error ? (error.statusCode ?? 400) : 200,
        statusMessage: "",
        headers: {},
        body: "",
        streaming: false,
        createUnbufferedStream: () => {
          throw new TypeError(
            `the batch-migrate shim (target ${parts.target}) answers without an HTTP response to stream`,
          );
        },
      },
      hasNextPage: () => data !== undefined && parts.pageable && parts.next(data) !== null,
      nextPage: (callback?: Callback<T>) => {
        const next = data === undefined ? null : parts.next(data);
        if (next && callback) next.send(callback);
        return next;
      },
    };
    const fire = (event: string, ...args: unknown[]) => (listeners.get(event) ?? []).forEach((l) => l(...args));
    if (error) fire("error", error, response);
    else fire("success", response);
    fire("complete", response);
    return response;
  };
  const path = `/v1/${parts.operation.toLowerCase()}`;
  const request: BatchRequest<T> = {
    promise: () =>
      settle().then(
        (data) => {
          const response = respond(data, undefined);
          return Object.defineProperty(data ?? ({} as T), "$response", { value: response }) as T & {
            $response: V2Response<T>;
          };
        },
        (error: unknown) => {
          respond(undefined, error as AWSError);
          throw error;
        },
      ),
    send: (callback?: Callback<T>) => {
      settle().then(
        (data) => {
          respond(data, undefined);
          (callback as LooseCallback | undefined)?.(null, data);
        },
        (error: unknown) => {
          respond(undefined, error as AWSError);
          callback?.(error as AWSError, undefined as unknown as T);
        },
      );
    },
    eachPage: (callback) => parts.eachPage(callback),
    isPageable: () => parts.pageable,
    abort() {
      aborted = true;
      return this;
    },
    createReadStream: () => {
      throw new TypeError(
        `createReadStream streams an HTTP body; the batch-migrate shim (target ${parts.target}) sends no HTTP request to AWS`,
      );
    },
    on(event, listener, prepend) {
      const list = listeners.get(event) ?? [];
      listeners.set(event, prepend ? [listener, ...list] : [...list, listener]);
      return this;
    },
    onAsync(event, listener, prepend) {
      return this.on(event, listener, prepend);
    },
    startTime: new Date(),
    httpRequest: {
      method: "POST",
      path,
      search: "",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(parts.input ?? {}),
      endpoint: parts.endpoint,
      pathname: () => path,
    },
  };
  return request;
}

/** v2's AWS.Config methods on a client's `config`; off target aws the shim uses no AWS credentials or token. */
export interface V2ConfigMethods {
  getCredentials(
    callback: (
      error: AWSError | null,
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null,
    ) => void,
  ): void;
  getToken(callback: (error: AWSError | null, token: null) => void): void;
  loadFromPath(path: string): this;
  // oxlint-disable-next-line no-explicit-any
  update(options: { [option: string]: any }, allowUnknownKeys?: boolean): void;
  getPromisesDependency(): typeof Promise | void;
  /** The shim's promise() always gives the global Promise. */
  setPromisesDependency(dependency: unknown): void;
}

export function v2Config<Options extends object>(
  options: Options,
  target: string,
  readFile: (path: string) => string,
): Options & V2ConfigMethods {
  const methods: V2ConfigMethods = {
    getCredentials(callback) {
      const given = (this as { credentials?: unknown }).credentials;
      if (given && typeof given === "object")
        callback(null, given as { accessKeyId: string; secretAccessKey: string; sessionToken?: string });
      else
        callback(
          awsError(
            "CredentialsError",
            `the batch-migrate shim on target ${target} uses no AWS credentials; the target's key comes from its environment variables`,
          ),
          null,
        );
    },
    getToken(callback) {
      callback(awsError("TokenError", `the batch-migrate shim on target ${target} uses no AWS token`), null);
    },
    loadFromPath(path) {
      this.update(JSON.parse(readFile(path)) as object);
      return this;
    },
    update(update) {
      Object.assign(this, update);
    },
    getPromisesDependency: () => Promise,
    setPromisesDependency: () => undefined,
  };
  const config = Object.create(methods) as Options & V2ConfigMethods;
  return Object.assign(config, options);
}
