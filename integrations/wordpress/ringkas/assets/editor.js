/* The block editor's "Ringkas" panel (Post sidebar). Plain JavaScript on WordPress's own wp.*
 * packages, no build step. It calls the plugin's REST route (the wp_rest nonce rides with
 * wp.apiFetch); PHP calls Ringkas with the key. The post changes only when the editor clicks an
 * action, and a failure leaves the content and the excerpt as they were. Confirmations are the
 * editor's own snackbars; dates are in the site's format and timezone (wp.date). */
( function ( wp ) {
	'use strict';
	const { createElement: h, useState, useEffect, useRef } = wp.element;
	const { Button, Notice, Spinner } = wp.components;
	const { useSelect, useDispatch } = wp.data;
	const words = window.ringkasEditor;
	const PANEL = 'ringkas/ringkas-panel';
	const POLL_MS = 5000;

	// The same fingerprint as Ringkas_Summaries::hash (FNV-1a over the trimmed content's UTF-8 bytes).
	function fingerprint( content ) {
		let hash = 0x811c9dc5;
		for ( const byte of new TextEncoder().encode( content.trim() ) ) {
			hash ^= byte;
			hash = Math.imul( hash, 0x01000193 ) >>> 0;
		}
		return hash.toString( 16 ).padStart( 8, '0' );
	}

	function Technical( { detail } ) {
		if ( ! detail ) {
			return null;
		}
		return h( 'details', { className: 'ringkas-technical' }, h( 'summary', null, words.technical ), h( 'p', { lang: 'en' }, detail ) );
	}

	function snackbar( text ) {
		wp.data.dispatch( 'core/notices' ).createNotice( 'success', text, { type: 'snackbar', id: 'ringkas-told' } );
	}

	function Panel() {
		const { postId, content, status, saving } = useSelect( ( select ) => ( {
			postId: select( 'core/editor' ).getCurrentPostId(),
			content: select( 'core/editor' ).getEditedPostContent(),
			status: select( 'core/editor' ).getCurrentPostAttribute( 'status' ),
			saving: select( 'core/editor' ).isSavingPost(),
		} ) );
		const { editPost } = useDispatch( 'core/editor' );
		const { insertBlocks, clearSelectedBlock } = useDispatch( 'core/block-editor' );
		const [ view, setView ] = useState( null );
		const [ busy, setBusy ] = useState( false );
		const [ problem, setProblem ] = useState( null );
		const [ copied, setCopied ] = useState( false );
		const wasPublished = useRef( null );

		function load() {
			return wp.apiFetch( { path: `/ringkas/v1/summary/${ postId }` } ).then( setView ).catch( () => {} );
		}

		useEffect( () => {
			if ( postId ) {
				load();
			}
			// First time on this site: open the panel, so the editor sees it at all.
			if ( ! window.localStorage.getItem( 'ringkas-panel-shown' ) ) {
				window.localStorage.setItem( 'ringkas-panel-shown', '1' );
				if ( ! wp.data.select( 'core/edit-post' ).isEditorPanelOpened( PANEL ) ) {
					wp.data.dispatch( 'core/edit-post' ).toggleEditorPanelOpened( PANEL );
				}
			}
		}, [ postId ] );

		// Just published with summarize-on-publish: the summary is on its way; ask again after saving.
		useEffect( () => {
			if ( saving ) {
				return;
			}
			if ( wasPublished.current === false && status === 'publish' && words.onPublish ) {
				load();
			}
			wasPublished.current = status === 'publish';
		}, [ status, saving ] );

		// While a background summary is on its way, look again every few seconds.
		useEffect( () => {
			if ( ! view || ! view.queued ) {
				return undefined;
			}
			const timer = setTimeout( load, POLL_MS );
			return () => clearTimeout( timer );
		}, [ view ] );

		function make( force ) {
			setProblem( null );
			if ( ! wp.blocks || ! content.replace( /<[^>]*>/g, '' ).trim() ) {
				setProblem( { message: words.empty } );
				return;
			}
			setBusy( true );
			wp.apiFetch( { path: '/ringkas/v1/summarize', method: 'POST', data: { post_id: postId, content, force: force === true } } )
				.then( ( answer ) => setView( answer ) )
				.catch( ( error ) => setProblem( {
					message: error.message,
					detail: error.data && error.data.detail,
					canForce: Boolean( error.data && error.data.can_force ),
				} ) )
				.finally( () => setBusy( false ) );
		}

		function useAsExcerpt() {
			editPost( { excerpt: view.summary } );
			snackbar( words.excerptDone );
		}

		function insertFirst() {
			const paragraph = wp.blocks.createBlock( 'core/paragraph', { content: wp.escapeHtml.escapeHTML( view.summary ) } );
			insertBlocks( paragraph, 0, undefined, false ); // Not selected: the sidebar stays on this panel.
			clearSelectedBlock();
			snackbar( words.insertDone );
		}

		function copy() {
			navigator.clipboard.writeText( view.summary ).then( () => {
				setCopied( true );
				snackbar( words.copied );
				setTimeout( () => setCopied( false ), 1500 );
			} );
		}

		function madeAt( iso ) {
			// The site's own date and time formats and timezone (Settings → General), not the browser's.
			const { formats } = wp.date.getSettings();
			return wp.date.dateI18n( `${ formats.date } ${ formats.time }`, iso );
		}

		const has = view && view.summary;
		const stale = has && view.source_hash && view.source_hash !== fingerprint( content );
		const failure = problem || ( view && view.error && ! has ? { ...view.error, background: true, canForce: view.error.can_force } : null );
		const children = [];
		if ( view && view.queued && ! has ) {
			children.push( h( Notice, { status: 'info', isDismissible: false, key: 'queued', className: 'ringkas-queued' }, h( Spinner, null ), words.queued ) );
		}
		if ( failure ) {
			children.push(
				h( Notice, { status: failure.background ? 'warning' : 'error', isDismissible: false, key: 'problem' },
					h( 'p', null, failure.background ? `${ words.background } ${ failure.message }` : failure.message ),
					failure.detail === undefined || failure.background ? null : h( 'p', null, words.failed ),
					failure.canForce ? h( Button, { variant: 'secondary', onClick: () => make( true ), disabled: busy }, words.force ) : null,
					h( Technical, { detail: failure.detail } ) )
			);
		}
		if ( has ) {
			if ( stale ) {
				children.push( h( Notice, { status: 'warning', isDismissible: false, key: 'stale' }, words.stale ) );
			}
			children.push( h( 'h3', { key: 'sh' }, words.summary ) );
			children.push( h( 'p', { key: 's', className: 'ringkas-summary', lang: 'id' }, view.summary ) );
			if ( view.translation ) {
				children.push( h( 'h3', { key: 'th' }, words.translation ) );
				children.push( h( 'p', { key: 't', className: 'ringkas-translation', lang: 'en' }, view.translation ) );
			}
			for ( const [ i, warning ] of ( view.warnings || [] ).entries() ) {
				children.push( h( 'p', { key: 'w' + i, className: 'ringkas-warning' }, warning ) );
			}
			if ( view.made_at ) {
				children.push( h( 'p', { key: 'm', className: 'ringkas-made' }, words.madeAt.replace( '%s', madeAt( view.made_at ) ) ) );
			}
			children.push(
				h( 'div', { key: 'actions', className: 'ringkas-actions' },
					h( Button, { variant: 'secondary', onClick: useAsExcerpt }, words.excerpt ),
					h( Button, { variant: 'tertiary', onClick: copy }, copied ? words.copied : words.copy ),
					h( Button, { variant: 'tertiary', onClick: insertFirst }, words.insert ) )
			);
		}
		children.push(
			h( 'p', { key: 'make' },
				h( Button, { variant: 'primary', onClick: make, disabled: busy, 'aria-busy': busy }, busy ? words.working : has ? words.remake : words.make ),
				busy ? h( Spinner, null ) : null )
		);
		return h( wp.editPost.PluginDocumentSettingPanel, { name: 'ringkas-panel', title: words.title, className: 'ringkas-panel' }, children );
	}

	wp.plugins.registerPlugin( 'ringkas', { render: Panel, icon: 'text' } );
} )( window.wp );
