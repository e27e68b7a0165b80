export declare const NODE_FLAGS: string[];
export declare const RUNNER_FLAGS: string[];
export declare const REPORTER_FLAGS: string[];
