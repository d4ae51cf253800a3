/**
 * One palette for both cards: hex values from the Salesforce Lightning Design System colour tokens
 * (so the Canvas card matches the Account page) and the HubSpot component variant with the same
 * meaning (HubSpot components take variants, not colours).
 */

export type Tone = 'danger' | 'warning' | 'success' | 'info' | 'neutral';

export interface ToneTokens {
  /** Text and icon colour. */
  foreground: string;
  /** Badge or banner background. */
  background: string;
  /** The SLDS theme class for a banner or badge of this tone. */
  sldsTheme: string;
  /** `Tag` variant in `@hubspot/ui-extensions`. */
  hubspotTag: 'error' | 'warning' | 'success' | 'info' | 'default';
  /** `Alert` variant in `@hubspot/ui-extensions`. */
  hubspotAlert: 'danger' | 'warning' | 'success' | 'info';
  /** `ProgressBar` variant in `@hubspot/ui-extensions`, which has no neutral: calm tones fill green. */
  hubspotProgress: 'danger' | 'warning' | 'success';
}

export const PALETTE: Readonly<Record<Tone, ToneTokens>> = {
  danger: {
    foreground: '#ba0517',
    background: '#fef1ee',
    sldsTheme: 'slds-theme_error',
    hubspotTag: 'error',
    hubspotAlert: 'danger',
    hubspotProgress: 'danger',
  },
  warning: {
    foreground: '#8c4b02',
    background: '#fef1cd',
    sldsTheme: 'slds-theme_warning',
    hubspotTag: 'warning',
    hubspotAlert: 'warning',
    hubspotProgress: 'warning',
  },
  success: {
    foreground: '#2e844a',
    background: '#ebf7e6',
    sldsTheme: 'slds-theme_success',
    hubspotTag: 'success',
    hubspotAlert: 'success',
    hubspotProgress: 'success',
  },
  info: {
    foreground: '#0b5cab',
    background: '#eef4ff',
    sldsTheme: 'slds-theme_info',
    hubspotTag: 'info',
    hubspotAlert: 'info',
    hubspotProgress: 'success',
  },
  neutral: {
    foreground: '#444444',
    background: '#f3f3f3',
    sldsTheme: 'slds-theme_shade',
    hubspotTag: 'default',
    hubspotAlert: 'info',
    hubspotProgress: 'success',
  },
};

export type Band = 'red' | 'yellow' | 'green';

export const BAND_TONE: Readonly<Record<Band, Tone>> = { red: 'danger', yellow: 'warning', green: 'success' };
export const BAND_LABEL: Readonly<Record<Band, string>> = { red: 'Red', yellow: 'Yellow', green: 'Green' };
