/* Tools → Ringkas: the archive job, live. Polls the plugin's route while a job runs; every notice
 * comes from the latest answer, so none lingers after the service recovers. Text only (textContent). */
( function () {
	'use strict';
	const words = window.ringkasArchive;
	const $ = ( id ) => document.getElementById( id );
	let told = null; // The last button's outcome, shown until the next action.
	let timer = null;

	function el( tag, text, attrs ) {
		const node = document.createElement( tag );
		if ( text !== undefined ) {
			node.textContent = text;
		}
		Object.assign( node, attrs || {} );
		return node;
	}

	function notice( kind, text ) {
		const box = el( 'div', undefined, { className: `notice notice-${ kind } inline` } );
		box.appendChild( el( 'p', text ) );
		return box;
	}

	function show( view ) {
		const notices = [];
		if ( told ) {
			notices.push( notice( told[ 0 ], told[ 1 ] ) );
		}
		for ( const [ kind, text ] of view.notices ) {
			notices.push( notice( kind, text ) );
		}
		$( 'ringkas-notices' ).replaceChildren( ...notices );
		$( 'ringkas-pending' ).textContent = words.pending.replace( '%d', view.pending );
		const running = view.status === 'running';
		$( 'ringkas-job' ).hidden = view.status === 'none';
		$( 'ringkas-bar' ).max = Math.max( 1, view.total );
		$( 'ringkas-bar' ).value = view.written + view.failed;
		$( 'ringkas-progress' ).textContent = words.progress
			.replace( '%1$d', view.written ).replace( '%2$d', view.failed ).replace( '%3$d', view.total ) +
			` (${ words.statuses[ view.status ] || view.status })`;
		$( 'ringkas-cancel' ).style.display = running ? '' : 'none'; // .button's display beats [hidden]
		$( 'ringkas-start' ).disabled = running;
		$( 'ringkas-failures' ).hidden = view.failures.length === 0;
		$( 'ringkas-failure-list' ).replaceChildren(
			...view.failures.map( ( failure ) => {
				const item = el( 'li' );
				item.appendChild( el( 'a', failure.title, { href: failure.link } ) );
				item.appendChild( document.createTextNode( ': ' + failure.message ) );
				if ( failure.final ) {
					item.appendChild( el( 'em', ' ' + words.doNotRetry, { className: 'ringkas-do-not-retry' } ) );
				}
				return item;
			} )
		);
		clearTimeout( timer );
		if ( running ) {
			timer = setTimeout( poll, 3000 );
		}
	}

	function poll() {
		wp.apiFetch( { path: '/ringkas/v1/archive' } )
			.then( show )
			.catch( () => {
				$( 'ringkas-notices' ).replaceChildren( notice( 'error', words.unreachable ) );
				timer = setTimeout( poll, 10000 );
			} );
	}

	function act( method ) {
		$( 'ringkas-start' ).disabled = true;
		wp.apiFetch( { path: '/ringkas/v1/archive', method } )
			.then( ( answer ) => {
				const kinds = { started: 'success', running: 'info', nothing: 'info', failed: 'error', cancelled: 'success' };
				const texts = { started: words.started, running: words.running, nothing: words.nothing, failed: words.failedStart, cancelled: words.cancelled };
				told = texts[ answer.outcome ] ? [ kinds[ answer.outcome ], texts[ answer.outcome ] ] : null;
				show( answer.view );
			} )
			.catch( ( error ) => {
				told = [ 'error', error.message || String( error ) ];
				poll();
			} );
	}

	$( 'ringkas-start' ).addEventListener( 'click', () => act( 'POST' ) );
	$( 'ringkas-cancel' ).addEventListener( 'click', () => act( 'DELETE' ) );
	show( words.initial );
} )();
