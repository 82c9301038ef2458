/**
 * Sessions carry no "online" flag: `place` holds a venue or the way to join online (the admin API's words). A link,
 * or a place that begins by naming an online meeting (线上 / 腾讯会议 …), is an online session: the worker is told
 * how to join and how attendance is taken there, not to check in "on arrival".
 */
const LINK = /\bhttps?:\/\/\S/i;
const ONLINE_FIRST_WORD = /^\s*[(（【[]?\s*(线上|在线|视频会议|腾讯会议|钉钉|飞书|zoom|webex|teams|online)/iu;

export function isOnlinePlace(place: string): boolean {
  return LINK.test(place) || ONLINE_FIRST_WORD.test(place);
}
