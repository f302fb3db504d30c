// Debian 13 (trixie): Kamailio 6.0, nodejs 20.19. See harness/deployment.ts.
import { describeDeployment } from './harness/deployment';

describeDeployment('trixie', 'Debian 13');
