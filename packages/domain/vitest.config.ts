import { vitestConfig } from "@minsheng/vitest-config";

export default vitestConfig();
