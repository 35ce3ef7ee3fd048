/** The vscode-free part of the extension: tree model, manifest documents, verify, restore status. */
export * from './tree.js';
export * from './locations.js';
export * from './manifest-doc.js';
export * from './verify.js';
export * from './restore-command.js';
export * from './restore-status.js';
export * from './errors.js';
export * from './format.js';
export * from './json.js';
export * from './admin-auth.js';
export * from './chain.js';
export * from './expire.js';
export * from './restore-plan.js';
export * from './plan-docs.js';
