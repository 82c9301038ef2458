import { onBeforeUnmount, ref, type Ref } from 'vue';

/**
 * Whether the window is phone-wide (≤ 640 px), kept up to date. Lists with actions or many columns turn into
 * cards there: a table's last columns would scroll out of sight inside it.
 */
export function usePhoneWidth(): Ref<boolean> {
  const query = window.matchMedia('(max-width: 640px)');
  const narrow = ref(query.matches);
  const onChange = (e: MediaQueryListEvent) => (narrow.value = e.matches);
  query.addEventListener('change', onChange);
  onBeforeUnmount(() => query.removeEventListener('change', onChange));
  return narrow;
}
