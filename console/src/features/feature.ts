import type { RouteRecordRaw } from 'vue-router';

/** Messages of one locale: nested objects of strings, merged over the core locale files. */
export interface MessageTree {
  [key: string]: string | MessageTree;
}

/**
 * One area of the console (polls, training, broadcasts, …) in one folder: its pages, its menu entries and its
 * messages. A feature is a folder `features/<name>/` with a `feature.ts` whose default export is this; the router,
 * the menu and i18n pick every such folder up, so adding an area never edits the shared files.
 */
export interface ConsoleFeature {
  /** Pages, mounted inside the console layout (paths relative to /console/). Keep components lazy. */
  routes: RouteRecordRaw[];
  /** Menu entries: `name` is a route name, `title` a message key; `order` places it (core entries are 10, 20, …). */
  menu?: { name: string; title: string; order: number }[];
  /** The feature's messages in both locales, usually under its own top-level key plus `nav.<name>`. */
  messages: { 'zh-CN': MessageTree; en: MessageTree };
}

export function defineFeature(feature: ConsoleFeature): ConsoleFeature {
  return feature;
}
