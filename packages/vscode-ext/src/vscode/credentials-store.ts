/** The credentials of remote locations, kept in VS Code's SecretStorage (never in settings). */
import type * as vscode from 'vscode';
import type { DestinationOptions } from '@strata/core';
import { isRemote, parseStoredCredentials, secretKey, type StoredCredentials } from '../model/locations.js';

/** Credentials of a location from SecretStorage (undefined: the environment is used). */
export async function storedCredentials(
  secrets: vscode.SecretStorage,
  location: string,
): Promise<StoredCredentials | undefined> {
  if (!isRemote(location)) return undefined;
  return parseStoredCredentials(await secrets.get(secretKey(location)));
}

/** The options the tree opens a location with. */
export async function destinationOptions(
  secrets: vscode.SecretStorage,
  location: string,
): Promise<DestinationOptions | undefined> {
  return storedCredentials(secrets, location);
}
