/**
 * The panels and queries of deploy/grafana/strata-dashboard.json, with Grafana's variables given
 * concrete values so Prometheus' own API can run them (as Grafana would after interpolation).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../tests/paths.js';

export const DASHBOARD = path.join(repoRoot, 'deploy/grafana/strata-dashboard.json');

interface RawTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
}
interface RawPanel {
  type: string;
  title: string;
  targets?: RawTarget[];
  panels?: RawPanel[];
}
export interface Dashboard {
  title: string;
  schemaVersion: number;
  panels: RawPanel[];
  templating: { list: { name: string; type: string; query: unknown; allValue?: string }[] };
}

export interface PanelQuery {
  panel: string;
  type: string;
  refId: string;
  /** The expression as the dashboard has it. */
  raw: string;
  /** With the variables replaced. */
  expr: string;
  /** A stat panel's instant query (Grafana runs it once, at the end of the range). */
  instant: boolean;
}

export function loadDashboard(file = DASHBOARD): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/**
 * `expr` with `$name`, `${name}` and `[[name]]` replaced from `vars` (`__rate_interval`, `job`, ...);
 * throws if a variable is left.
 */
export function expand(expr: string, vars: Record<string, string>): string {
  const out = expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (m, a?: string, b?: string, c?: string) => {
      const name = a ?? b ?? c!;
      const v = vars[name];
      if (v === undefined) throw new Error(`no value for the variable ${m} in ${expr}`);
      return v;
    },
  );
  return out;
}

/** Every query of every panel (rows' nested panels included), in dashboard order. */
export function panelQueries(d: Dashboard, vars: Record<string, string>): PanelQuery[] {
  const flat = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return flat.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      type: p.type,
      refId: t.refId,
      raw: t.expr,
      expr: expand(t.expr, vars),
      instant: t.instant === true,
    })),
  );
}
