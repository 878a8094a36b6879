// MINT's own SDK against the default sandbox (the suite is in mint-sdk-suite.ts).
import { sdkContractSuite } from './mint-sdk-suite.js';

sdkContractSuite(false);
