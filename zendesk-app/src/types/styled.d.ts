import 'styled-components';
import type { IGardenTheme } from '@zendeskgarden/react-theming';

// Styled components in this app read Garden's theme (fonts, sizes, colours).
declare module 'styled-components' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefaultTheme extends IGardenTheme {}
}
