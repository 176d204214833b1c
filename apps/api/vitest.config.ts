import { vitestConfig } from "@minsheng/vitest-config";

// Password hashes at scrypt N = 2^12 instead of 2^17 (auth/password.ts scryptCost): suites create
// and sign in many users. Honoured under vitest only; production always hashes at 2^17.
export default vitestConfig({ env: { SCRYPT_TEST_LOG_N: "12" } });
