import { describe, expect, it } from 'vitest';
import {
  BadKeyLengthError,
  CorruptBackupError,
  EmptyBackupError,
  EncryptedNoKeyError,
  FileNotFoundError,
  fromFsError,
  InvalidArgumentError,
  StrataError,
  TruncatedBackupError,
  UnsupportedCompressionError,
  WrongKeyError,
} from '../src/errors.js';
import { fromNative, parseNativeMessage } from '../src/native/errors.js';

const FILE = '/backups/dgraph.1/r21-g1.backup';

describe('fromNative', () => {
  const cases = [
    ['BAD_KEY_LENGTH', BadKeyLengthError, /16, 24 or 32 bytes/],
    ['EMPTY', EmptyBackupError, /empty/],
    ['ENCRYPTED_NO_KEY', EncryptedNoKeyError, /encrypted and no encryption key/],
    ['WRONG_KEY', WrongKeyError, /wrong or missing encryption key/],
    ['TRUNCATED', TruncatedBackupError, /truncated/],
    ['CORRUPT', CorruptBackupError, /corrupt/],
    ['UNSUPPORTED_COMPRESSION', UnsupportedCompressionError, /unsupported compression/],
    ['INVALID_ARGUMENT', InvalidArgumentError, /invalid argument/],
  ] as const;

  it.each(cases)('maps %s to its class, naming the problem and the file', (code, cls, problem) => {
    const err = fromNative(new Error(`${code}: some native detail`), FILE);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(StrataError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.file).toBe(FILE);
    expect(err.name).toBe(cls.name);
    expect(err.message).toMatch(problem);
    expect(err.message).toContain(FILE);
    expect(err.message).toContain('some native detail');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('gives every native code a distinct class', () => {
    const classes = new Set(cases.map(([code]) => fromNative(new Error(`${code}: x`)).constructor));
    expect(classes.size).toBe(cases.length);
  });

  it('works without a file', () => {
    const err = fromNative(new Error('TRUNCATED: gzip stream ends early'));
    expect(err).toBeInstanceOf(TruncatedBackupError);
    expect(err.file).toBeUndefined();
    expect(err.message).toBe('the backup file is truncated: gzip stream ends early');
  });

  it('keeps multi-line native text', () => {
    const err = fromNative(new Error('CORRUPT: bad frame\nat offset 12'), FILE);
    expect(err).toBeInstanceOf(CorruptBackupError);
    expect(err.message).toContain('at offset 12');
  });

  it('returns StrataErrors unchanged', () => {
    const original = new WrongKeyError('x', { file: FILE });
    expect(fromNative(original, '/other')).toBe(original);
  });

  it('wraps unknown codes and plain errors as INTERNAL, keeping the message', () => {
    const a = fromNative(new Error('NOPE: what'), FILE);
    expect(a.constructor).toBe(StrataError);
    expect(a.code).toBe('INTERNAL');
    expect(a.message).toContain('NOPE: what');
    expect(a.message).toContain(FILE);
    const b = fromNative('a string', undefined);
    expect(b.code).toBe('INTERNAL');
    expect(b.message).toBe('a string');
  });
});

describe('parseNativeMessage', () => {
  it('splits CODE: text', () => {
    expect(parseNativeMessage('WRONG_KEY: no gzip magic')).toEqual({
      code: 'WRONG_KEY',
      text: 'no gzip magic',
    });
    expect(parseNativeMessage('EMPTY:')).toEqual({ code: 'EMPTY', text: '' });
    expect(parseNativeMessage('Something else')).toBeUndefined();
    expect(parseNativeMessage('UNKNOWN_CODE: x')).toBeUndefined();
  });
});

describe('fromFsError', () => {
  it('maps ENOENT to FileNotFoundError naming the file and its role', () => {
    const err = fromFsError(
      Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }),
      '/k',
      'key file',
    );
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('key file not found: /k');
  });
  it('maps other errors to IO', () => {
    const err = fromFsError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), '/k');
    expect(err.code).toBe('IO');
    expect(err.message).toContain('/k');
    expect(err.message).toContain('permission denied');
  });
});
