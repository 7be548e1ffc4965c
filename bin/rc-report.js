#!/usr/bin/env node
import '../dist/report/cli.js';
