import type { Button, Msg, OutboundMessage } from './types.ts';
import { msg } from './types.ts';

/** The main menu: what a family can do at any time. */
export const MENU_BUTTONS: Button[][] = [
  [{ label: msg('menu-intake'), payload: 'menu:intake' }],
  [
    { label: msg('menu-book'), payload: 'menu:book' },
    { label: msg('menu-bookings'), payload: 'menu:bookings' },
  ],
  [{ label: msg('menu-progress'), payload: 'menu:progress' }],
  [
    { label: msg('menu-contacts'), payload: 'menu:contacts' },
    { label: msg('menu-outreach'), payload: 'menu:outreach' },
  ],
  [{ label: msg('menu-delete'), payload: 'menu:delete' }],
];

export const menuMessage = (parts: Array<Msg | Msg[]>): OutboundMessage => ({ parts, buttons: MENU_BUTTONS });
