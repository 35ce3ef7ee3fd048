/** The vscode-free part of the extension: tree model, manifest documents, verify, admin client. */
export * from './tree.js';
export * from './locations.js';
export * from './manifest-doc.js';
export * from './verify.js';
export * from './restore-command.js';
export * from './admin.js';
export * from './errors.js';
export * from './format.js';
export * from './json.js';
