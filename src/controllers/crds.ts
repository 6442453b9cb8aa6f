// CustomResourceDefinitions kiln stores at start for kinds its controllers serve through the API
// (the CDEvent outbox, Argo CD's Application and AppProject).
import type { KObject } from '../api/meta.ts';
import { CRD_KIND } from '../api/generic/builtin.ts';
import type { Store } from '../store/store.ts';
import { isConflict, StoreError } from '../store/store.ts';

/** Stores `def`, or updates its spec when the stored one differs (an older kiln's). */
export async function ensureCrd(store: Store, def: KObject): Promise<void> {
  try {
    await store.create(CRD_KIND, def);
  } catch (e) {
    if (!(e instanceof StoreError && e.reason === 'AlreadyExists')) throw e;
    const cur = await store.get(CRD_KIND, '', def.metadata.name!);
    if (JSON.stringify(cur.spec) === JSON.stringify(def.spec)) return;
    try {
      await store.update(CRD_KIND, { ...cur, spec: def.spec });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}
