export * from './network.js';
export * from './model.js';
export * from './fixture.js';
