import styled from 'styled-components';
import { getColor } from '@zendeskgarden/react-theming';

/** A compact term/definition list that fits the 320 px sidebar. */
export const Facts = styled.dl`
  display: grid;
  grid-template-columns: minmax(84px, max-content) 1fr;
  gap: 4px 8px;
  margin: 8px 0 0;
  font-size: ${(p) => p.theme.fontSizes.sm};
  line-height: ${(p) => p.theme.lineHeights.sm};

  & > dt {
    color: ${(p) => getColor({ theme: p.theme, variable: 'foreground.subtle' })};
  }

  & > dd {
    margin: 0;
    min-width: 0;
    overflow-wrap: anywhere;
  }
`;

export const Mono = styled.span`
  font-family: ${(p) => p.theme.fonts.mono};
  font-size: ${(p) => p.theme.fontSizes.sm};
`;

export const Subtle = styled.span`
  color: ${(p) => getColor({ theme: p.theme, variable: 'foreground.subtle' })};
`;

/** Keeps a phone number on one line. */
export const Nowrap = styled.span`
  white-space: nowrap;
`;
