/** The commands that manage the view's locations: add, remove, refresh, set credentials. */
import * as vscode from 'vscode';
import { errorText } from '../model/errors.js';
import {
  addLocation,
  isRemote,
  locationLabel,
  normalizeLocation,
  removeLocation,
  secretKey,
  type StoredCredentials,
} from '../model/locations.js';
import { CONFIG, commandOptions, type CommandContext, type CommandHandlers } from './command-context.js';
import { configuredLocations, isNode, pickLocation } from './pickers.js';

/** Writes the `strata.locations` setting where it is set (folder, workspace, else user). */
async function saveLocations(list: string[]): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(CONFIG);
  const inspect = cfg.inspect<string[]>('locations');
  const target =
    inspect?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspect?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await cfg.update('locations', list, target);
}

/** A folder from a dialog or a URL from an input box (checked as it is typed). */
async function askLocation(): Promise<string | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(folder) Local folder…', id: 'folder' },
      { label: '$(cloud) s3:// or minio:// URL…', id: 'url' },
    ],
    { placeHolder: 'Add a backup location' },
  );
  if (!choice) return undefined;
  if (choice.id === 'folder') {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Add Location',
    });
    return picked?.[0]?.fsPath;
  }
  return vscode.window.showInputBox({
    prompt: 'Location URL (no credentials: use Set Credentials or the environment)',
    placeHolder:
      's3://s3.us-west-2.amazonaws.com/bucket/prefix or minio://127.0.0.1:9000/bucket?secure=false',
    validateInput: (v) => {
      try {
        normalizeLocation(v);
        return undefined;
      } catch (err) {
        return errorText(err);
      }
    },
  });
}

/** Access key, secret key and session token from input boxes; `null`: forget the stored ones. */
async function askCredentials(location: string): Promise<StoredCredentials | null | undefined> {
  const accessKey = await vscode.window.showInputBox({
    prompt: `Access key for ${locationLabel(location)} (empty: forget the stored credentials and use the environment)`,
    ignoreFocusOut: true,
  });
  if (accessKey === undefined) return undefined;
  if (accessKey === '') return null;
  const secret = await vscode.window.showInputBox({
    prompt: 'Secret key',
    password: true,
    ignoreFocusOut: true,
  });
  if (!secret) return undefined;
  const token = await vscode.window.showInputBox({
    prompt: 'Session token (optional)',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  return { accessKey, secretKey: secret, ...(token !== '' && { sessionToken: token }) };
}

export function locationCommands(ctx: CommandContext): CommandHandlers {
  const { context, provider } = ctx;
  return {
    'strata.addLocation': async (arg?: unknown) => {
      const input = typeof arg === 'string' ? arg : await askLocation();
      if (input === undefined) return undefined;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const location = normalizeLocation(input, base);
      await saveLocations(addLocation(configuredLocations(), location));
      provider.refresh(location);
      return location;
    },

    'strata.removeLocation': async (arg?: unknown) => {
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      await saveLocations(removeLocation(configuredLocations(), location));
      await context.secrets.delete(secretKey(location));
      provider.refresh(location);
      return location;
    },

    'strata.refresh': (arg?: unknown) => {
      provider.refresh(isNode(arg) && arg.kind === 'location' ? arg.location : undefined);
    },

    'strata.setCredentials': async (arg?: unknown, second?: unknown) => {
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      if (!isRemote(location)) {
        void vscode.window.showInformationMessage(
          `Strata: ${location} is a local folder: it needs no credentials.`,
        );
        return undefined;
      }
      const creds = commandOptions<StoredCredentials>(second) ?? (await askCredentials(location));
      if (creds === undefined) return undefined;
      if (creds === null) {
        await context.secrets.delete(secretKey(location));
        provider.refresh(location);
        void vscode.window.showInformationMessage(
          `Strata: credentials of ${locationLabel(location)} forgotten.`,
        );
        return undefined;
      }
      await context.secrets.store(secretKey(location), JSON.stringify(creds));
      provider.refresh(location);
      void vscode.window.showInformationMessage(
        `Strata: credentials of ${locationLabel(location)} stored in VS Code's secret storage.`,
      );
      return undefined;
    },
  };
}
