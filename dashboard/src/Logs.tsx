// A TaskRun's log, live: ANSI colours (anser), the step of each line, its time on demand (when it
// reached kiln, kept beside the log file; a log written before kiln kept times: the file's last change),
// search, jump to the first error, download; virtualised so 100,000 lines scroll freely.
import { useEffect, useMemo, useRef, useState } from 'react';
import Anser from 'anser';
import { useVirtualizer } from '@tanstack/react-virtual';
import { streamLines, TEKTON } from './api.ts';
import { firstErrorLine, logFileText, nextHit, searchLines, stripAnsi, type LogLine } from './logtext.ts';

export type { LogLine };

/**
 * A TaskRun's log lines, streamed. Once followed, a log stays followed (the stream ends by itself
 * when the TaskRun does): learning that it has finished does not fetch it again. With `timestamps`
 * (asked for when the times are shown: they weigh on a long log) each line has the time it reached
 * kiln; without, the time it reached the page.
 */
export function useLog(ns: string, name: string, follow: boolean, timestamps = false): { lines: LogLine[]; done: boolean; error: string; timed: boolean } {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [done, setDone] = useState(false);
  const [timed, setTimed] = useState(false);
  const [error, setError] = useState('');
  const sticky = useRef({ key: '', follow });
  const key = `${ns}/${name}`;
  if (sticky.current.key !== key) sticky.current = { key, follow };
  else if (follow) sticky.current.follow = true;
  const following = sticky.current.follow;
  useEffect(() => {
    const ac = new AbortController();
    let buf: LogLine[] = [];
    let all: LogLine[] = [];
    setLines([]);
    setDone(false);
    setTimed(timestamps);
    // lines are batched (a fast step must not re-render per line); the first ones are drawn at once
    const flushNow = () => {
      if (!buf.length || ac.signal.aborted) return;
      all = all.concat(buf);
      buf = [];
      setLines(all);
    };
    const flush = setInterval(flushNow, 100);
    const path = `${TEKTON}/namespaces/${encodeURIComponent(ns)}/taskruns/${encodeURIComponent(name)}/log?format=jsonl${timestamps ? '&timestamps=true' : ''}${following ? '&follow=true' : ''}`;
    // many lines share a time: each is parsed once
    let lastTime = '';
    let lastAt = 0;
    streamLines(path, (l) => {
      try {
        const o = JSON.parse(l) as { step: string; line: string; time?: string };
        if (!all.length && !buf.length) queueMicrotask(flushNow);
        if (o.time !== lastTime) [lastTime, lastAt] = [o.time ?? '', o.time ? Date.parse(o.time) : NaN];
        buf.push({ step: o.step, line: o.line, at: Number.isNaN(lastAt) ? Date.now() : lastAt });
      } catch { /* a partial line at abort */ }
    }, ac.signal)
      .catch((e: Error) => { if (!ac.signal.aborted && !/404/.test(e.message)) setError(e.message); })
      .finally(() => {
        if (ac.signal.aborted) return;
        all = all.concat(buf);
        buf = [];
        setLines(all);
        setDone(true);
      });
    return () => { ac.abort(); clearInterval(flush); };
  }, [ns, name, following, timestamps]);
  return { lines, done, error, timed };
}

function Colored({ text }: { text: string }) {
  if (!text.includes('\u001b[')) return <>{text}</>;
  const parts = Anser.ansiToJson(text, { use_classes: false, remove_empty: true });
  return <>{parts.map((p, i) => <span key={i} style={{ color: p.fg ? `rgb(${p.fg})` : undefined, background: p.bg ? `rgb(${p.bg})` : undefined, fontWeight: p.decorations?.includes('bold') ? 700 : undefined }}>{p.content}</span>)}</>;
}

/** The log's lines; `times` shows each line's time (the caller fetches them: `onTimes`). */
export function LogView({ lines, done, step, fileName, times, onTimes, timed }: { lines: LogLine[]; done: boolean; step?: string; fileName: string; times: boolean; onTimes: (on: boolean) => void; timed: boolean }) {
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const shown = useMemo(() => (step ? lines.filter((l) => l.step === step) : lines), [lines, step]);
  const matches = useMemo(() => searchLines(shown, search), [shown, search]);
  const [hit, setHit] = useState(0);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: shown.length, getScrollElement: () => parent.current, estimateSize: () => 18, overscan: 8 });
  useEffect(() => {
    if (follow && shown.length) v.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [shown.length, follow, v]);
  const jump = (i: number) => { setFollow(false); v.scrollToIndex(i, { align: 'center' }); };
  const [note, setNote] = useState('');
  const firstError = () => { const i = firstErrorLine(shown); setNote(i < 0 ? 'no error line' : ''); if (i >= 0) jump(i); };
  const download = () => {
    const blob = new Blob([logFileText(shown, times)], { type: 'text/plain' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = fileName;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <div className="logs">
      <div className="logbar">
        <input type="search" aria-label="Search the log" placeholder="Search" value={search} onChange={(e) => { setSearch(e.target.value); setHit(0); }}
          onKeyDown={(e) => { if (e.key === 'Enter' && matches.length) { const n = nextHit(matches.length, hit, e.shiftKey); setHit(n); jump(matches[n]); } }} />
        {search && <span className="muted">{matches.length ? `${hit + 1}/${matches.length}` : 'no match'}</span>}
        <button onClick={firstError}>First error</button>{note && <span className="muted" role="status">{note}</span>}
        <label><input type="checkbox" checked={times} onChange={(e) => onTimes(e.target.checked)} /> Times</label>
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
        <button onClick={download}>Download</button>
        <span className="muted">{shown.length} lines{done ? '' : ' · live'}{times && !timed ? ' · loading times' : ''}</span>
      </div>
      <div ref={parent} className="logbody" tabIndex={0} data-testid="log">
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const l = shown[it.index];
            const isHit = search && matches[hit] === it.index;
            return (
              <div key={it.key} className={`logline${isHit ? ' hit' : ''}`} style={{ transform: `translateY(${it.start}px)` }}>
                <span className="ln">{it.index + 1}</span>
                {times && <span className="ts">{new Date(l.at).toISOString().slice(11, 23)}</span>}
                {!step && <span className="st">[{l.step}]</span>}
                <span className="tx">{search ? stripAnsi(l.line) : <Colored text={l.line} />}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
