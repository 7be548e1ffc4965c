#!/usr/bin/env node
import '../dist/trainer/eval-cli.js';
