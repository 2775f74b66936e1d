import './key.js';
import './signer.js';
import './rotate.js';
import './delete.js';
import './inspect.js';
import './sign.js';
import './refresh.js';
