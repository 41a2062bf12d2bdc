// The workflow bundle's entry: every area's workflows. An area adds its workflows to its own index.
export * from './platform';
export * from './catalog';
export * from './orders';
export * from './customers';
export * from './loyalty';
export * from './inventory';
export * from './extraction';
export * from './channels';
