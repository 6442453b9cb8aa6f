// The part of fengari's API (Lua 5.3 in JavaScript) that health/lua.ts uses.
declare module 'fengari' {
  export type LuaState = { readonly __luaState: unique symbol };
  type CFunction = (L: LuaState) => number;
  export const lua: {
    LUA_OK: number; LUA_MASKCOUNT: number;
    LUA_TNIL: number; LUA_TBOOLEAN: number; LUA_TNUMBER: number; LUA_TSTRING: number; LUA_TTABLE: number;
    lua_pushnil(L: LuaState): void;
    lua_pushboolean(L: LuaState, b: boolean): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_setfield(L: LuaState, idx: number, k: Uint8Array): void;
    lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_type(L: LuaState, idx: number): number;
    lua_tojsstring(L: LuaState, idx: number): string;
    lua_pop(L: LuaState, n: number): void;
    lua_settop(L: LuaState, n: number): void;
    lua_sethook(L: LuaState, f: CFunction | null, mask: number, count: number): void;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, s: Uint8Array, sz: number | null, name: Uint8Array): number;
    luaL_requiref(L: LuaState, name: Uint8Array, f: CFunction, glb: number): void;
    luaL_error(L: LuaState, fmt: Uint8Array): number;
    luaL_tolstring(L: LuaState, idx: number): Uint8Array;
  };
  export const lualib: {
    luaopen_base: CFunction; luaopen_table: CFunction; luaopen_string: CFunction; luaopen_math: CFunction;
    luaopen_coroutine: CFunction; luaopen_utf8: CFunction;
  };
  export function to_luastring(s: string): Uint8Array;
  export function to_jsstring(s: Uint8Array): string;
}
