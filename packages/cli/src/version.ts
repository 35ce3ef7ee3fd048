/**
 * `strata --version`: the versions of the CLI, of @strata/core and of the native addon as the
 * loaded binary reports it (core checks that it matches @strata/native's package.json). Loading
 * the addon is the point: an install whose binary for this platform is missing or stale says so
 * here, with exit code 1, instead of at the first command that needs it.
 */
import { createRequire } from 'node:module';
import { nativeVersion } from '@strata/core';

const require = createRequire(import.meta.url);

export interface VersionReport {
  /** `NAME VERSION` lines, one per package that could be read. */
  lines: string[];
  /** Why the native addon could not be loaded, when it could not. */
  error?: string;
}

function packageVersion(spec: string): string {
  return (require(spec) as { version: string }).version;
}

export function versionReport(): VersionReport {
  const lines = [
    `@strata/cli ${packageVersion('../package.json')}`,
    `@strata/core ${packageVersion('@strata/core/package.json')}`,
  ];
  try {
    lines.push(`@strata/native ${nativeVersion()}`);
    return { lines };
  } catch (err) {
    return { lines, error: err instanceof Error ? err.message : String(err) };
  }
}
