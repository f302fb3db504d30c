// The parts of the ZAF SDK 2.0 client this app uses (the npm package ships no types).
declare module 'zendesk_app_framework_sdk' {
  export interface ZafResponse {
    status: number;
    responseJSON?: unknown;
    responseText?: string;
    headers?: Record<string, string>;
  }

  export interface ZafRequestOptions {
    url: string;
    type?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    contentType?: string;
    data?: string;
    headers?: Record<string, string>;
    secure?: boolean;
    cors?: boolean;
    httpCompleteResponse?: boolean;
    autoRetry?: boolean;
    timeout?: number;
    jwt?: {
      algorithm: 'HS256';
      secret_key: string;
      expiry?: number;
      claims?: Record<string, unknown>;
    };
  }

  export interface ZafMetadata {
    appId: number;
    installationId: number;
    name: string;
    version: string;
    settings: Record<string, unknown>;
  }

  export interface ZafClient {
    get(path: string | string[]): Promise<Record<string, unknown> & { errors?: object }>;
    set(path: string, value: unknown): Promise<Record<string, unknown>>;
    invoke(name: string, ...args: unknown[]): Promise<unknown>;
    request(options: ZafRequestOptions): Promise<ZafResponse>;
    metadata(): Promise<ZafMetadata>;
    on(name: string, handler: (data: unknown) => void): void;
    off(name: string, handler: (data: unknown) => void): void;
  }

  const ZAFClient: { init(callback?: (context: unknown) => void): ZafClient | false };
  export default ZAFClient;
}
