import type { App, Component } from 'vue';
import { ElLoading } from 'element-plus';
import * as components from './elementPlusComponents.ts';

/** Registers the components the pages use by name, so templates stay plain. */
export function registerElementPlus(app: App): void {
  for (const component of Object.values(components) as (Component & { name?: string })[]) app.component(component.name!, component);
  app.use(ElLoading);
}
