import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { imageArgv, imageRepository, lookupImage } from './images.ts';

describe('images', function () {
  test('repository names ignore registry, library/, tag and digest', function () {
    const table: [string, string][] = [
      ['busybox', 'busybox'],
      ['busybox:1.36', 'busybox'],
      ['mirror.gcr.io/library/busybox:1.36@sha256:abc', 'busybox'],
      ['docker.io/library/bash:5.2', 'bash'],
      ['localhost:5000/team/app:dev', 'team/app'],
      ['cgr.dev/chainguard/busybox:latest', 'chainguard/busybox'],
      ['alpine/git:v2', 'alpine/git'],
      ['gcr.io/go-containerregistry/crane:debug', 'go-containerregistry/crane'],
    ];
    for (const [image, repo] of table) assert.equal(imageRepository(image), repo, image);
  });

  test('lookup falls back to the last path component', function () {
    assert.equal(lookupImage('cgr.dev/chainguard/busybox')?.busybox, true);
    assert.deepEqual(lookupImage('alpine/git')?.entrypoint, ['git']);
    assert.equal(lookupImage('example.com/team/unknown:1'), undefined);
  });

  test("Tekton's entrypoint rules, with docker-entrypoint.sh wrappers emulated", function () {
    const notCommand = (w: string): boolean => w !== 'index.js';
    const table: { name: string; image: string; args: string[]; want: string[] | undefined }[] = [
      { name: 'busybox: CMD becomes the command, args follow', image: 'busybox', args: ['-c', 'echo hi'], want: ['sh', '-c', 'echo hi'] },
      { name: 'busybox without args', image: 'busybox', args: [], want: ['sh'] },
      { name: 'bash execs a command', image: 'bash:5', args: ['echo', 'hi'], want: ['echo', 'hi'] },
      { name: 'bash with an option runs bash', image: 'bash', args: ['-c', 'echo hi'], want: ['bash', '-c', 'echo hi'] },
      { name: 'bash without args runs CMD bash', image: 'bash', args: [], want: ['bash'] },
      { name: 'node runs a file', image: 'node:22', args: ['index.js'], want: ['node', 'index.js'] },
      { name: 'node execs a command', image: 'node:22', args: ['npm', 'test'], want: ['npm', 'test'] },
      { name: 'entrypoint + args', image: 'alpine/git', args: ['version'], want: ['git', 'version'] },
      { name: 'entrypoint + CMD without args', image: 'alpine/git', args: [], want: ['git', '--help'] },
      { name: 'ubuntu', image: 'ubuntu:24.04', args: ['-c', 'true'], want: ['/bin/bash', '-c', 'true'] },
      { name: 'python', image: 'python:3.12-slim', args: ['-c', 'print(1)'], want: ['python3', '-c', 'print(1)'] },
      { name: 'unknown', image: 'example.com/x', args: ['a'], want: undefined },
    ];
    for (const c of table) assert.deepEqual(imageArgv(lookupImage(c.image), c.args, notCommand), c.want, c.name);
  });
});
