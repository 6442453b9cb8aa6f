// Argo CD custom health checks in Lua, run in an embedded VM (fengari: Lua 5.3 in JavaScript; decision 0017).
// Each check gets a fresh state with only base/table/string/math/coroutine/utf8 — no os, io, package,
// debug, load or file access — the live object as the global `obj`, and a time and instruction budget.
import { lauxlib, lua, lualib, to_luastring, type LuaState } from 'fengari';
import { isHealthCode, type HealthStatus } from './types.ts';

export interface LuaLimits {
  /** wall-clock budget per check (default 1000 ms) */
  timeoutMs?: number;
  /** VM instruction budget per check (default 50 million) */
  maxInstructions?: number;
  /** the clock (injectable for tests) */
  now?: () => number;
}

/** A script error, a time-out or a malformed result: the check reports Unknown with this message. */
export class LuaHealthError extends Error {}

const HOOK_EVERY = 1000;
const LIBS: [string, (L: LuaState) => number][] = [
  ['_G', lualib.luaopen_base], ['table', lualib.luaopen_table], ['string', lualib.luaopen_string],
  ['math', lualib.luaopen_math], ['coroutine', lualib.luaopen_coroutine], ['utf8', lualib.luaopen_utf8],
];
/** Removes what reaches files or loads code; adds Lua 5.1 names that Argo CD's scripts (gopher-lua) use. */
const PRELUDE = `
dofile, loadfile, load, loadstring, require, collectgarbage, print = nil, nil, nil, nil, nil, nil, nil
string.dump = nil
table.getn = function(t) return #t end
unpack = table.unpack
`;

/** Pushes a JSON value as Lua (integers as integers, so they print as Argo CD's Lua prints them). */
function push(L: LuaState, v: unknown): void {
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) lua.lua_pushinteger(L, v);
    else lua.lua_pushnumber(L, v);
  } else if (typeof v === 'string') lua.lua_pushstring(L, to_luastring(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach(function pushItem(x, i) { push(L, x); lua.lua_rawseti(L, -2, i + 1); });
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [k, x] of entries) { push(L, x); lua.lua_setfield(L, -2, to_luastring(k)); }
  } else lua.lua_pushnil(L);
}

function newSandbox(): LuaState {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of LIBS) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  if (lauxlib.luaL_loadbuffer(L, to_luastring(PRELUDE), null, to_luastring('=prelude')) !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    throw new LuaHealthError(`sandbox set-up failed: ${lua.lua_tojsstring(L, -1)}`);
  }
  return L;
}

/** The string field `name` of the table on top of the stack ('' when absent). */
function field(L: LuaState, name: string): string {
  const t = lua.lua_getfield(L, -1, to_luastring(name));
  const out = t === lua.LUA_TNIL ? '' : t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? lua.lua_tojsstring(L, -1) : `<${t}>`;
  lua.lua_pop(L, 1);
  return out;
}

/**
 * Runs a health script on `obj`; returns its `{status, message}`. Throws LuaHealthError when the script
 * fails, runs past its budget, or returns something that is not a health status.
 */
export function runLuaHealth(script: string, obj: unknown, name = 'health.lua', limits: LuaLimits = {}): HealthStatus {
  const { timeoutMs = 1000, maxInstructions = 50_000_000, now = Date.now } = limits;
  const L = newSandbox();
  const started = now();
  let steps = 0;
  let over = '';
  lua.lua_sethook(L, function budget(L2) {
    steps += HOOK_EVERY;
    if (!over && steps > maxInstructions) over = `ran more than ${maxInstructions} instructions`;
    if (!over && now() - started > timeoutMs) over = `ran longer than ${timeoutMs} ms`;
    if (over) {
      lua.lua_sethook(L2, budget, lua.LUA_MASKCOUNT, 1); // from now on every instruction fails, so a pcall in the script cannot swallow it
      return lauxlib.luaL_error(L2, to_luastring(`stopped: ${over}`));
    }
    return 0;
  }, lua.LUA_MASKCOUNT, HOOK_EVERY);
  push(L, obj);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadbuffer(L, to_luastring(script), null, to_luastring(`=${name}`)) !== lua.LUA_OK) {
    throw new LuaHealthError(`${name}: ${lua.lua_tojsstring(L, -1)}`);
  }
  let rc: number;
  try {
    rc = lua.lua_pcall(L, 0, 1, 0);
  } catch (e) {
    throw new LuaHealthError(`${name}: ${over ? `stopped: ${over}` : (e as Error).message}`);
  }
  if (over) throw new LuaHealthError(`${name}: stopped: ${over}`);
  if (rc !== lua.LUA_OK) throw new LuaHealthError(`${name}: ${lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : 'error object is not a string'}`);
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) throw new LuaHealthError(`${name}: returned no table (want {status=..., message=...})`);
  const status = field(L, 'status');
  const message = field(L, 'message');
  if (!isHealthCode(status)) throw new LuaHealthError(`${name}: returned status "${status}", not one of Healthy, Progressing, Degraded, Suspended, Missing, Unknown`);
  return { status, message };
}
