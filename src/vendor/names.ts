// The file names of the runtime's artifacts, which generated files (Dockerfiles) name before they are copied.
// The version is runtime/package.json's and runtime/python/pyproject.toml's (test/vendor-init.test.ts checks it).
export const RUNTIME_VERSION = "0.1.0";
export const RUNTIME_TARBALL = `batch-migrate-runtime-${RUNTIME_VERSION}.tgz`;
export const RUNTIME_WHEEL = `batch_migrate_runtime-${RUNTIME_VERSION}-py3-none-any.whl`;
export const RUNTIME_SDIST = `batch_migrate_runtime-${RUNTIME_VERSION}.tar.gz`;
/** The name of the Docker build context that holds migration/<target>/vendor/. */
export const VENDOR_BUILD_CONTEXT = "batch-migrate-vendor";
