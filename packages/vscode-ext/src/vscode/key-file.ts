/** The AES key of an encrypted series for reads done in the window (verify, restore plan). */
import * as vscode from 'vscode';
import { readKeyFile } from '@strata/core';
import type { CommandOptions } from './command-context.js';

/** The key of an encrypted series: the file the options name, else one chosen in a dialog. */
export async function chooseKey(
  encrypted: boolean,
  opts: CommandOptions | undefined,
): Promise<{ key: Buffer; file: string } | undefined> {
  if (!encrypted) return undefined;
  let file = opts?.keyFile;
  if (file === undefined) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Encryption key file of the series (raw 16, 24 or 32 bytes)',
      openLabel: 'Use Key',
      canSelectMany: false,
    });
    file = picked?.[0]?.fsPath ?? '';
  }
  return file === '' ? undefined : { key: await readKeyFile(file), file };
}
