import { vitestConfig } from "@minsheng/vitest-config";

// One worker: the suite shares one database per backend (a fresh PGlite costs seconds and memory).
export default vitestConfig({ fileParallelism: false });
