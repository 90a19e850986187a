import { hashPassword } from '../config/dispatchers.ts';

// Usage: npm run hash-password -- 'the password'  → a passwordHash for DISPATCHERS_FILE.
const password = process.argv[2];
if (!password || password.length < 8) {
  console.error('Usage: npm run hash-password -- <password of at least 8 characters>');
  process.exit(1);
}
console.log(hashPassword(password));
