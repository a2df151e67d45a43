'use strict';

// The reference's request error codes (`Server.errors`) and their messages, as Rust
// defines them.

const { errors, errorMessages } = require('./native-constants');

module.exports = { errors, errorMessages };
