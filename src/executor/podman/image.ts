// What a step with neither `command` nor `script` runs: its image's ENTRYPOINT and CMD, read from
// the image's config (`podman image inspect`, pulling the image first when it is not here), with
// the same rules as the process executor's table (images.ts `imageArgv`).
import { imageArgv } from '../process/images.ts';
import { podmanMessage, podmanRun } from './cli.ts';
import type { Podman } from './cli.ts';

/** An image's ENTRYPOINT and CMD. */
export interface ImageConfig { entrypoint?: string[]; cmd?: string[] }

/** Parses `{{json .Config.Entrypoint}}\n{{json .Config.Cmd}}` output; undefined when it is not that. */
export function parseConfig(text: string): ImageConfig | undefined {
  const lines = text.trim().split('\n');
  if (lines.length !== 2) return undefined;
  try {
    const [ep, cmd] = lines.map((l) => JSON.parse(l) as unknown);
    const list = (v: unknown): string[] | undefined => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v : undefined);
    return { entrypoint: list(ep), cmd: list(cmd) };
  } catch {
    return undefined;
  }
}

const FORMAT = '{{json .Config.Entrypoint}}\n{{json .Config.Cmd}}';

/** The image's config, pulled first when missing; `error` is podman's message (e.g. the registry's refusal). */
export async function imageConfig(p: Podman, image: string): Promise<ImageConfig | { error: string }> {
  let r = await podmanRun(p, ['image', 'inspect', '--format', FORMAT, '--', image]);
  if (r.code !== 0) {
    const pull = await podmanRun(p, ['pull', '--quiet', '--', image], 10 * 60_000);
    if (pull.code !== 0) return { error: podmanMessage(pull.stderr) || `cannot pull image ${image}` };
    r = await podmanRun(p, ['image', 'inspect', '--format', FORMAT, '--', image]);
  }
  if (r.code !== 0) return { error: podmanMessage(r.stderr) || `cannot inspect image ${image}` };
  return parseConfig(r.stdout) ?? { error: `cannot read the config of image ${image}: ${r.stdout.trim()}` };
}

/** The argv a step with no command and no script runs in `image` with `args`, or an error naming the image. */
export async function imageCommand(p: Podman, image: string, args: readonly string[]): Promise<{ argv: string[] } | { error: string }> {
  const cfg = await imageConfig(p, image);
  if ('error' in cfg) return cfg;
  const argv = imageArgv(cfg, args);
  return argv ? { argv } : { error: `image ${image} has neither ENTRYPOINT nor CMD: give the step a command or script` };
}

/** The image's USER (`podman image inspect`; the image is present by then), '' when it sets none or cannot be read. */
export async function imageUser(p: Podman, image: string): Promise<string> {
  const r = await podmanRun(p, ['image', 'inspect', '--format', '{{.Config.User}}', '--', image]);
  return r.code === 0 ? r.stdout.trim() : '';
}
