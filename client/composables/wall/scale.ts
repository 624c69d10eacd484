import { inject, onBeforeUnmount, onMounted, provide, ref, type InjectionKey, type Ref } from 'vue';

/** The wall's scale against its 1920×1080 design (1 at 1080p, 2 at 4K), for what CSS cannot size (chart fonts). */
const SCALE: InjectionKey<Ref<number>> = Symbol('wall-scale');

/** The scale of a 16:9 design at 1920×1080 in the current viewport (the smaller of the two ratios). */
export const viewportScale = (w: number, h: number) => Math.max(0.5, Math.min(w / 1920, h / 1080));

/** Provides the scale to the wall's panels, following the window's size. */
export function provideWallScale(): Ref<number> {
  const scale = ref(viewportScale(window.innerWidth, window.innerHeight));
  const onResize = () => {
    scale.value = viewportScale(window.innerWidth, window.innerHeight);
  };
  onMounted(() => window.addEventListener('resize', onResize));
  onBeforeUnmount(() => window.removeEventListener('resize', onResize));
  provide(SCALE, scale);
  return scale;
}

export const useWallScale = (): Ref<number> => inject(SCALE, ref(1));
