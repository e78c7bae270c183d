export { simulateKernel } from "./kernel.js";
