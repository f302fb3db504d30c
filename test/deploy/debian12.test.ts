// Debian 12 (bookworm): Kamailio 5.6, nodejs 18.19. See harness/deployment.ts.
import { describeDeployment } from './harness/deployment';

describeDeployment('bookworm', 'Debian 12');
