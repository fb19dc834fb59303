// Public API of @aim-pulumi/aim: the AIM components and the types of their args and outputs.

export * from "./types";
export { AIMClusterConfig } from "./components/aimClusterConfig";
export type { AIMClusterConfigArgs } from "./components/aimClusterConfig";
export { AIMNamespaceConfig } from "./components/aimNamespaceConfig";
export type { AIMNamespaceConfigArgs } from "./components/aimNamespaceConfig";
export { AIMClusterImage } from "./components/aimClusterImage";
export type { AIMClusterImageArgs } from "./components/aimClusterImage";
export { AIMImage } from "./components/aimImage";
export type { AIMImageArgs } from "./components/aimImage";
export { AIMClusterServiceTemplate } from "./components/aimClusterServiceTemplate";
export type { AIMClusterServiceTemplateArgs } from "./components/aimClusterServiceTemplate";
export { AIMServiceTemplate } from "./components/aimServiceTemplate";
export type { AIMServiceTemplateArgs } from "./components/aimServiceTemplate";
export { AIMTemplateCache } from "./components/aimTemplateCache";
export type { AIMTemplateCacheArgs } from "./components/aimTemplateCache";
export { AIMService } from "./components/aimService";
export type { AIMServiceArgs } from "./components/aimService";
export { cacheStorageClasses } from "./components/cacheStorageClasses";
export type { CacheStorageClassesOptions } from "./components/cacheStorageClasses";
export { importClusterConfig, importNamespaceConfig } from "./components/importConfig";
export type { ImportConfigOptions, ImportedClusterConfig, ImportedNamespaceConfig } from "./components/importConfig";
