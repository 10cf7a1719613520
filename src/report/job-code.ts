/** Script paths a job definition's command runs (`python3 jobs/transcode.py`, `node dist/run.js`, `python -m pkg.mod`). */
export function jobCodeCandidates(command: readonly string[]): string[] {
  const candidates: string[] = [];
  for (const [index, part] of command.entries()) {
    if (/\.(py|js|mjs|cjs|ts|sh|rb)$/.test(part) && !part.startsWith("Ref::"))
      candidates.push(part.replace(/^\.\//, ""));
    if (part === "-m" && command[index + 1]) {
      const module = command[index + 1]!.replaceAll(".", "/");
      candidates.push(`${module}.py`, `${module}/__main__.py`, `${module}/__init__.py`);
    }
  }
  return candidates;
}

const S3_PATTERNS: readonly RegExp[] = [
  /client\(\s*["']s3["']/,
  /resource\(\s*["']s3["']/,
  /["'`]s3:\/\//,
  /@aws-sdk\/client-s3/,
  /\bnew\s+(AWS\.)?S3(Client)?\(/,
  /\baws\s+s3\s+(cp|sync|mv)\b/,
];

/** Lines of job code that read or write S3. */
export function findS3Uses(path: string, text: string): { path: string; line: number; text: string }[] {
  return text
    .split("\n")
    .flatMap((line, index) =>
      S3_PATTERNS.some((pattern) => pattern.test(line))
        ? [{ path, line: index + 1, text: line.trim().slice(0, 120) }]
        : [],
    );
}
