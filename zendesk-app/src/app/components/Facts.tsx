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

/** A plain list whose items are separated by thin rules (previous calls, transcript turns). */
export const RuledList = styled.ol`
  margin: 4px 0 0;
  padding: 0;
  list-style: none;

  & > li {
    padding: 4px 0;
    border-top: 1px solid ${(p) => getColor({ theme: p.theme, variable: 'border.subtle' })};
  }
`;
