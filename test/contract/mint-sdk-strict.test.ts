// MINT's own SDK against the strict sandbox: I routes answer 404, I filters are ignored.
import { sdkContractSuite } from './mint-sdk-suite.js';

sdkContractSuite(true);
