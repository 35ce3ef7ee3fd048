import type { BuildOptions } from 'esbuild';

export declare const EXTENSION_BUNDLE: BuildOptions;

export declare function vscePackage(
  cwd: string,
  out: string,
  options?: { extraArgs?: string[]; stdio?: 'inherit' | 'ignore' },
): void;
