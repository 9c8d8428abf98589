import crypto from 'node:crypto';

function md5hex(data: string | Buffer): string {
  return crypto.createHash('md5').update(data).digest('hex');
}

/** What a client answers to an MD5 challenge, from the stored md5(password + user) hex digest. */
export function md5Response(md5OfPasswordAndUser: string, salt: Buffer): string {
  return 'md5' + md5hex(Buffer.concat([Buffer.from(md5OfPasswordAndUser, 'latin1'), salt]));
}

export function md5Stored(password: string, user: string): string {
  return md5hex(password + user);
}

/** Constant-time comparison of a client's MD5 answer. */
export function md5Matches(answer: string, md5OfPasswordAndUser: string, salt: Buffer): boolean {
  const expected = Buffer.from(md5Response(md5OfPasswordAndUser, salt));
  const got = Buffer.from(answer);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}
