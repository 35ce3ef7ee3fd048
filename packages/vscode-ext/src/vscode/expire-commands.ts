/**
 * "Preview Expire…" on a location: asks the rule, shows core's dry-run plan (a read-only document,
 * and the view marks the backups it would remove), then offers "Expire now" behind a modal
 * confirmation, which runs core's expire with the same rules and time and prints what it removed.
 * No lock is taken: the confirmation warns, as the CLI's help does.
 */
import * as vscode from 'vscode';
import type { RetentionRules } from '@strata/core';
import {
  EXPIRE_LOCK_WARNING,
  EXPIRE_RULES,
  expireSummary,
  parseExpireRule,
  previewExpire,
  renderExpire,
  rulesText,
  runExpire,
} from '../model/expire.js';
import { errorText } from '../model/errors.js';
import { locationLabel } from '../model/locations.js';
import { plural } from '../model/format.js';
import { expireDocPath } from '../model/plan-docs.js';
import {
  commandOptions,
  type CommandContext,
  type CommandHandlers,
  type CommandOptions,
} from './command-context.js';
import { pickLocation } from './pickers.js';

/** The rule from a quick pick and an input box checked by core; undefined when dismissed. */
async function askRules(): Promise<RetentionRules | undefined> {
  const pick = await vscode.window.showQuickPick(
    EXPIRE_RULES.map((r) => ({ label: r.label, description: r.flag, rule: r })),
    { placeHolder: 'Retention rule (a chain is never broken: what a kept backup needs is kept)' },
  );
  if (!pick) return undefined;
  const text = await vscode.window.showInputBox({
    prompt: pick.rule.prompt,
    value: pick.rule.kind === 'keepWithin' ? '30d' : '1',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseExpireRule(pick.rule.kind, v);
        return undefined;
      } catch (err) {
        return errorText(err);
      }
    },
  });
  return text === undefined ? undefined : parseExpireRule(pick.rule.kind, text);
}

export function expireCommands(ctx: CommandContext): CommandHandlers {
  const { provider, plans, output } = ctx;
  return {
    'strata.previewExpire': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      const rules = opts?.rules ?? (await askRules());
      if (rules === undefined) return undefined;
      const dest = await provider.model.destination(location);
      const preview = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Strata: planning expire of ${location}…` },
        () => previewExpire({ location: dest, rules }),
      );
      ctx.lastExpire = preview.result;
      provider.model.setExpirePreview(location, preview);
      provider.redraw();
      const docPath = expireDocPath(locationLabel(location));
      await plans.show(docPath, renderExpire(preview.result, rules, preview.now));
      const removing = preview.result.remove.length;
      if (removing === 0 || opts?.expireNow === false) {
        void vscode.window.showInformationMessage(`Strata: ${expireSummary(preview.result)}`);
        return preview.result;
      }
      if (opts?.expireNow !== true) {
        const next = await vscode.window.showInformationMessage(
          `Strata: ${expireSummary(preview.result)}`,
          'Expire now…',
        );
        if (next !== 'Expire now…') return preview.result;
      }
      if (!opts?.confirmed) {
        const ok = await vscode.window.showWarningMessage(
          `Remove ${plural(removing, 'backup')} from ${location} (${rulesText(rules)})?`,
          {
            modal: true,
            detail:
              (preview.result.keep.length === 0 ? 'The rules keep NO backup: every backup here goes. ' : '') +
              `The plan is open in the editor: ${preview.result.keep.length} kept. The manifest stops listing ` +
              `the removed backups first, then their files are deleted. ${EXPIRE_LOCK_WARNING}`,
          },
          'Expire now',
        );
        if (ok !== 'Expire now') return preview.result;
      }
      output.appendLine(`--- strata expire ${location} ${rulesText(rules)}`);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Strata: expiring backups at ${location}…` },
        () =>
          runExpire({
            location: dest,
            preview,
            onRemoved: (b) =>
              output.appendLine(`removed ${b.backupId} #${b.backupNum} ${b.type} (${b.path})`),
            onWarning: (w) => output.appendLine(`warning: ${w}`),
          }),
      );
      ctx.lastExpire = result;
      output.append(renderExpire(result, rules, preview.now));
      provider.refresh(location);
      await plans.show(docPath, renderExpire(result, rules, preview.now));
      void vscode.window
        .showInformationMessage(`Strata: ${expireSummary(result)}`, 'Show Output')
        .then((c) => c === 'Show Output' && output.show(true));
      return result;
    },
  };
}
