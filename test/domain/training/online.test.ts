import { describe, expect, it } from 'vitest';
import { isOnlinePlace } from '../../../src/domain/training/online.ts';

describe('an online session is told by its place', () => {
  it.each(['https://meeting.tencent.com/dm/abc123', '腾讯会议 123-456-789', '线上（钉钉直播）', 'Online: https://zoom.us/j/1', '（线上）党校直播课堂', 'Zoom 987 654 321'])('%j is online', (place) => {
    expect(isOnlinePlace(place)).toBe(true);
  });
  it.each(['南京市委党校', '南京市委党校三楼报告厅（线上同步直播）', '网络安全中心二楼', 'Room 301, Party School'])('%j is a venue', (place) => {
    expect(isOnlinePlace(place)).toBe(false);
  });
});
